/*
 * render.c — the JSON shapes of API.md, written with the streaming writer. Renderers never
 * fail on their own: the writer keeps its first error and the caller checks jw_finish().
 * Field names here are the contract; add fields, never rename them.
 */
#include "http/render.h"
#include "lib/str.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Coordinates to 1e-6 degree (about 0.1 m): the stored floats carry noise below that. */
static double render_round(double value, double scale)
{
    return round(value * scale) / scale;
}

void render_address(struct jw *jw, const struct address *address)
{
    ASSERT(jw != NULL);
    if (address == NULL || !address->present) {
        jw_null(jw);
        return;
    }
    jw_object_begin(jw);
    jw_kv_string(jw, "name", address->name);
    jw_kv_string(jw, "company", address->company);
    jw_kv_string(jw, "line1", address->line1);
    jw_kv_string(jw, "line2", address->line2);
    jw_kv_string(jw, "city", address->city);
    jw_kv_string(jw, "region", address->region);
    jw_kv_string(jw, "postal_code", address->postal_code);
    jw_kv_string(jw, "country", address->country);
    jw_kv_string(jw, "phone", address->phone);
    if (address->has_coords) {
        jw_kv_double(jw, "lat", render_round(address->lat, 1e6));
        jw_kv_double(jw, "lon", render_round(address->lon, 1e6));
    } else {
        jw_kv_null(jw, "lat");
        jw_kv_null(jw, "lon");
    }
    jw_object_end(jw);
}

void render_allocation(struct jw *jw, const struct allocation *allocation)
{
    ASSERT(jw != NULL);
    ASSERT(allocation != NULL);
    jw_object_begin(jw);
    jw_kv_string(jw, "id", allocation->id);
    jw_kv_string(jw, "line_id", allocation->line_id);
    jw_kv_string(jw, "sku", allocation->sku);
    jw_kv_string(jw, "location", allocation->location_code);
    jw_kv_int(jw, "qty", allocation->qty);
    jw_kv_string(jw, "shipment_id", allocation->shipment_id);
    if (allocation->distance_km < 0) {
        jw_kv_null(jw, "distance_km");
    } else {
        jw_kv_double(jw, "distance_km", render_round(allocation->distance_km, 1e3));
    }
    jw_object_end(jw);
}

static void render_order_line(struct jw *jw, const struct order_line *line)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "id", line->id);
    jw_kv_int(jw, "line_no", line->line_no);
    jw_kv_string(jw, "sku", line->sku);
    jw_kv_string(jw, "name", line->name);
    jw_kv_int(jw, "qty", line->qty);
    jw_kv_int(jw, "unit_price", line->unit_price);
    jw_kv_int(jw, "qty_allocated", line->qty_allocated);
    jw_kv_int(jw, "qty_shipped", line->qty_shipped);
    jw_kv_int(jw, "qty_cancelled", line->qty_cancelled);
    jw_kv_int(jw, "qty_returned", line->qty_returned);
    jw_kv_int(jw, "qty_backordered", line->qty_backordered);
    jw_kv_raw(jw, "customization", line->customization_json);
    jw_object_end(jw);
}

static void render_order_customer(struct jw *jw, const struct order *order)
{
    jw_key(jw, "customer");
    jw_object_begin(jw);
    jw_kv_string(jw, "id", order->customer_id);
    jw_kv_string(jw, "email", order->customer_email);
    jw_kv_string(jw, "name", order->customer_name);
    jw_kv_string(jw, "type", customer_type_name(order->customer_type));
    jw_object_end(jw);
}

static void render_order_fulfillment(struct jw *jw, const struct order *order)
{
    jw_key(jw, "fulfillment");
    jw_object_begin(jw);
    jw_kv_string(jw, "method", fulfillment_method_name(order->method));
    jw_kv_string(jw, "location", order->pickup_location);
    jw_key(jw, "date");
    if (order->method == FULFILLMENT_DELIVERY) {
        jw_day(jw, order->delivery_day);
    } else {
        jw_null(jw);
    }
    jw_object_end(jw);
}

static void render_order_totals(struct jw *jw, const struct order_totals *totals)
{
    jw_key(jw, "totals");
    jw_object_begin(jw);
    jw_kv_int(jw, "subtotal", totals->subtotal);
    jw_kv_int(jw, "discount", totals->discount);
    jw_kv_int(jw, "shipping", totals->shipping);
    jw_kv_int(jw, "tax", totals->tax);
    jw_kv_int(jw, "total", totals->total);
    jw_object_end(jw);
}

static void render_order_lists(struct jw *jw, const struct order *order)
{
    jw_key(jw, "lines");
    jw_array_begin(jw);
    for (size_t i = 0; i < order->lines_count; i++) {
        render_order_line(jw, &order->lines[i]);
    }
    jw_array_end(jw);
    jw_key(jw, "allocations");
    jw_array_begin(jw);
    for (size_t i = 0; i < order->allocations_count; i++) {
        render_allocation(jw, &order->allocations[i]);
    }
    jw_array_end(jw);
}

void render_order(struct jw *jw, const struct order *order)
{
    ASSERT(jw != NULL);
    ASSERT(order != NULL);
    jw_object_begin(jw);
    jw_kv_string(jw, "id", order->id);
    jw_kv_string(jw, "number", order->number);
    jw_kv_string(jw, "status", order_status_name(order->status));
    jw_kv_string(jw, "channel", order->channel);
    jw_kv_string(jw, "external_id", order->external_id);
    render_order_customer(jw, order);
    jw_kv_string(jw, "currency", order->currency);
    render_order_lists(jw, order);
    jw_key(jw, "shipping_address");
    render_address(jw, &order->shipping_address);
    jw_key(jw, "billing_address");
    render_address(jw, &order->billing_address);
    render_order_fulfillment(jw, order);
    jw_kv_string(jw, "ship_policy", ship_policy_name(order->ship_policy));
    jw_kv_bool(jw, "backorder", order->backorder);
    jw_key(jw, "payment");
    jw_object_begin(jw);
    jw_kv_string(jw, "provider", order->payment_provider);
    jw_object_end(jw);
    jw_kv_string(jw, "hold_reason", order->hold_reason);
    jw_kv_string(jw, "cancel_reason", order->cancel_reason);
    jw_kv_string(jw, "notes", order->notes);
    render_order_totals(jw, &order->totals);
    jw_kv_time(jw, "promised_ship_by", order->promised_ship_by_ms);
    jw_kv_int(jw, "version", order->version);
    jw_kv_time(jw, "created_at", order->created_at_ms);
    jw_kv_time(jw, "updated_at", order->updated_at_ms);
    jw_kv_time(jw, "allocated_at", order->allocated_at_ms);
    jw_kv_time(jw, "shipped_at", order->shipped_at_ms);
    jw_kv_time(jw, "delivered_at", order->delivered_at_ms);
    jw_kv_time(jw, "cancelled_at", order->cancelled_at_ms);
    jw_object_end(jw);
}

static void render_capabilities(struct jw *jw, unsigned capabilities)
{
    jw_key(jw, "capabilities");
    jw_array_begin(jw);
    for (unsigned bit = 1; bit != 0 && bit <= LOCATION_CAP_ALL; bit <<= 1) {
        if ((capabilities & bit) != 0) {
            jw_string(jw, location_capability_name(bit));
        }
    }
    jw_array_end(jw);
}

void render_location(struct jw *jw, const struct location *location)
{
    ASSERT(jw != NULL);
    ASSERT(location != NULL);
    char cutoff[8];
    int minute = location->cutoff_minute;
    if (minute < 0 || minute >= 24 * 60) {
        minute = 0; /* never stored, but the text must stay HH:MM */
    }
    int n = snprintf(cutoff, sizeof(cutoff), "%02d:%02d", minute / 60, minute % 60);
    ASSERT(n == 5);
    jw_object_begin(jw);
    jw_kv_string(jw, "code", location->code);
    jw_kv_string(jw, "name", location->name);
    jw_kv_string(jw, "kind", location_kind_name(location->kind));
    jw_key(jw, "address");
    render_address(jw, &location->address);
    render_capabilities(jw, location->capabilities);
    jw_kv_int(jw, "capacity_per_day", location->capacity_per_day);
    jw_kv_int(jw, "handling_cost", location->handling_cost);
    jw_kv_int(jw, "priority", location->priority);
    jw_kv_bool(jw, "active", location->active);
    jw_kv_string(jw, "cutoff_time", cutoff);
    jw_kv_int(jw, "handling_days", location->handling_days);
    jw_kv_int(jw, "hold_days", location_hold_days(location));
    jw_kv_int(jw, "version", location->version);
    jw_kv_time(jw, "created_at", location->created_at_ms);
    jw_kv_time(jw, "updated_at", location->updated_at_ms);
    jw_object_end(jw);
}

void render_product(struct jw *jw, const struct product *product)
{
    ASSERT(jw != NULL);
    ASSERT(product != NULL);
    jw_object_begin(jw);
    jw_kv_string(jw, "sku", product->sku);
    jw_kv_string(jw, "name", product->name);
    jw_kv_int(jw, "price", product->price);
    jw_kv_string(jw, "currency", product->currency);
    jw_kv_int(jw, "weight_grams", product->weight_grams);
    jw_kv_string(jw, "kind", product_kind_name(product->kind));
    if (product->kind == PRODUCT_KIND_KIT) {
        jw_key(jw, "components");
        jw_array_begin(jw);
        for (size_t i = 0; i < product->components_count; i++) {
            jw_object_begin(jw);
            jw_kv_string(jw, "sku", product->components[i].sku);
            jw_kv_int(jw, "qty", product->components[i].qty);
            jw_object_end(jw);
        }
        jw_array_end(jw);
    }
    jw_kv_string(jw, "dropship_supplier", product->dropship_supplier);
    jw_kv_string(jw, "bin_location", product->bin_location);
    jw_kv_bool(jw, "customizable", product->customizable);
    jw_kv_bool(jw, "active", product->active);
    jw_kv_int(jw, "version", product->version);
    jw_kv_time(jw, "created_at", product->created_at_ms);
    jw_kv_time(jw, "updated_at", product->updated_at_ms);
    jw_object_end(jw);
}

void render_channel(struct jw *jw, const struct channel *channel)
{
    ASSERT(jw != NULL);
    ASSERT(channel != NULL);
    jw_object_begin(jw);
    jw_kv_string(jw, "code", channel->code);
    jw_kv_string(jw, "kind", channel->kind);
    jw_kv_string(jw, "name", channel->name);
    jw_kv_time(jw, "created_at", channel->created_at_ms);
    jw_object_end(jw);
}

void render_customer_fields(struct jw *jw, const struct customer *customer)
{
    ASSERT(jw != NULL);
    ASSERT(customer != NULL);
    jw_kv_string(jw, "id", customer->id);
    jw_kv_string(jw, "email", customer->email);
    jw_kv_string(jw, "name", customer->name);
    jw_kv_string(jw, "phone", customer->phone);
    jw_kv_string(jw, "type", customer_type_name(customer->type));
    jw_kv_int(jw, "payment_terms_days", customer->payment_terms_days);
    if (customer->has_credit_limit) {
        jw_kv_int(jw, "credit_limit", customer->credit_limit);
    } else {
        jw_kv_null(jw, "credit_limit");
    }
    jw_kv_int(jw, "orders_count", customer->orders_count);
    jw_kv_int(jw, "version", customer->version);
    jw_kv_time(jw, "created_at", customer->created_at_ms);
    jw_kv_time(jw, "updated_at", customer->updated_at_ms);
}

void render_customer(struct jw *jw, const struct customer *customer)
{
    jw_object_begin(jw);
    render_customer_fields(jw, customer);
    jw_object_end(jw);
}

void render_stock_view(struct jw *jw, const struct app_stock_view *view)
{
    ASSERT(jw != NULL);
    ASSERT(view != NULL);
    jw_object_begin(jw);
    jw_kv_string(jw, "sku", view->sku);
    if (view->is_kit) {
        jw_kv_string(jw, "kind", "kit");
    }
    jw_key(jw, "locations");
    jw_array_begin(jw);
    for (size_t i = 0; i < view->locations_count; i++) {
        const struct app_stock_location *row = &view->locations[i];
        jw_object_begin(jw);
        jw_kv_string(jw, "location", row->location);
        jw_kv_int(jw, "on_hand", row->stock.on_hand);
        jw_kv_int(jw, "reserved", row->stock.reserved);
        jw_kv_int(jw, "safety_stock", row->stock.safety_stock);
        jw_kv_int(jw, "available", row->available);
        jw_kv_int(jw, "inbound", row->stock.inbound);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_kv_int(jw, "available", view->available);
    jw_object_end(jw);
}

/* Row ids are numbers in the store but opaque strings in the API. */
static void render_row_id(struct jw *jw, int64_t row_id)
{
    char text[STR_I64_LEN];
    (void)str_from_i64(text, row_id);
    jw_kv_string(jw, "id", text);
}

void render_ledger_entry(struct jw *jw, const struct ledger_entry *entry)
{
    ASSERT(jw != NULL);
    ASSERT(entry != NULL);
    jw_object_begin(jw);
    render_row_id(jw, entry->row_id);
    jw_kv_string(jw, "sku", entry->sku);
    jw_kv_string(jw, "location", entry->location_code);
    jw_kv_string(jw, "kind", ledger_kind_name(entry->kind));
    jw_kv_int(jw, "on_hand_delta", entry->on_hand_delta);
    jw_kv_int(jw, "reserved_delta", entry->reserved_delta);
    jw_kv_string(jw, "reason", entry->reason);
    jw_kv_string(jw, "ref_type", entry->ref_type);
    jw_kv_string(jw, "ref_id", entry->ref_id);
    jw_kv_time(jw, "created_at", entry->created_at_ms);
    jw_object_end(jw);
}

void render_event(struct jw *jw, const struct event *event)
{
    ASSERT(jw != NULL);
    ASSERT(event != NULL);
    jw_object_begin(jw);
    render_row_id(jw, event->row_id);
    jw_kv_string(jw, "type", event->kind);
    jw_kv_string(jw, "entity_type", event->entity_type);
    jw_kv_string(jw, "entity_id", event->entity_id);
    jw_kv_raw(jw, "data", event->data_json);
    jw_kv_time(jw, "created_at", event->created_at_ms);
    jw_object_end(jw);
}

void render_list_begin(struct jw *jw)
{
    ASSERT(jw != NULL);
    jw_object_begin(jw);
    jw_key(jw, "data");
    jw_array_begin(jw);
}

void render_list_end(struct jw *jw, const char *next_cursor)
{
    ASSERT(jw != NULL);
    jw_array_end(jw);
    jw_kv_string(jw, "next_cursor", next_cursor);
    jw_object_end(jw);
}

/* ---- answers for idempotent writes --------------------------------------------------------- */

enum err_code render_capture_answer(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL);
    ASSERT(body != NULL);
    const struct app_capture_result *capture = result;
    struct jw jw;
    jw_init(&jw, body);
    render_order(&jw, &capture->order);
    *status = capture->created ? 201 : 200;
    return jw_finish(&jw);
}

enum err_code render_order_answer(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL);
    ASSERT(body != NULL);
    struct jw jw;
    jw_init(&jw, body);
    render_order(&jw, result);
    *status = 200;
    return jw_finish(&jw);
}

enum err_code render_channel_created(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL);
    ASSERT(body != NULL);
    struct jw jw;
    jw_init(&jw, body);
    render_channel(&jw, result);
    *status = 201;
    return jw_finish(&jw);
}

enum err_code render_location_created(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL);
    ASSERT(body != NULL);
    struct jw jw;
    jw_init(&jw, body);
    render_location(&jw, result);
    *status = 201;
    return jw_finish(&jw);
}

enum err_code render_product_created(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL);
    ASSERT(body != NULL);
    struct jw jw;
    jw_init(&jw, body);
    render_product(&jw, result);
    *status = 201;
    return jw_finish(&jw);
}

enum err_code render_stock_answer(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL);
    ASSERT(body != NULL);
    struct jw jw;
    jw_init(&jw, body);
    render_stock_view(&jw, result);
    *status = 200;
    return jw_finish(&jw);
}

/* ---- fulfillment ------------------------------------------------------------------------- */

/* The shipment's units: the order's allocations that name it, with the line's name. */
static void render_shipment_lines(struct jw *jw, const struct app_shipment_view *view)
{
    const struct order *order = &view->order;
    jw_key(jw, "lines");
    jw_array_begin(jw);
    for (size_t i = 0; i < order->allocations_count; i++) {
        const struct allocation *allocation = &order->allocations[i];
        if (allocation->shipment_id == NULL ||
            strcmp(allocation->shipment_id, view->shipment.id) != 0) {
            continue;
        }
        const char *name = NULL;
        for (size_t l = 0; l < order->lines_count; l++) {
            if (strcmp(order->lines[l].id, allocation->line_id) == 0) {
                name = order->lines[l].name;
            }
        }
        jw_object_begin(jw);
        jw_kv_string(jw, "allocation_id", allocation->id);
        jw_kv_string(jw, "line_id", allocation->line_id);
        jw_kv_string(jw, "sku", allocation->sku);
        jw_kv_string(jw, "name", name);
        jw_kv_int(jw, "qty", allocation->qty);
        jw_object_end(jw);
    }
    jw_array_end(jw);
}

void render_shipment_view(struct jw *jw, const struct app_shipment_view *view)
{
    ASSERT(jw != NULL);
    ASSERT(view != NULL);
    const struct shipment *shipment = &view->shipment;
    jw_object_begin(jw);
    jw_kv_string(jw, "id", shipment->id);
    jw_kv_string(jw, "order_id", shipment->order_id);
    jw_kv_string(jw, "order_number", view->order.number);
    jw_kv_string(jw, "order_status", order_status_name(view->order.status));
    jw_kv_string(jw, "status", shipment_status_name(shipment->status));
    jw_kv_string(jw, "method", shipment->is_pickup ? "pickup" : "ship");
    jw_kv_string(jw, "location", shipment->location_code);
    render_shipment_lines(jw, view);
    jw_kv_string(jw, "carrier", shipment->carrier);
    jw_kv_string(jw, "service", shipment->service);
    jw_kv_string(jw, "tracking_number", shipment->tracking_number);
    jw_kv_int(jw, "cost", shipment->cost);
    jw_kv_raw(jw, "packages", shipment->packages_json != NULL ? shipment->packages_json : "[]");
    if (shipment->is_pickup) {
        jw_kv_string(jw, "pickup_code", view->show_pickup_code ? shipment->pickup_code : NULL);
    }
    jw_kv_time(jw, "promised_ship_by", shipment->promised_ship_by_ms);
    jw_kv_string(jw, "pick_list_id", shipment->pick_list_id);
    jw_kv_int(jw, "version", shipment->version);
    jw_kv_time(jw, "created_at", shipment->created_at_ms);
    jw_kv_time(jw, "updated_at", shipment->updated_at_ms);
    jw_kv_time(jw, "ready_at", shipment->ready_at_ms);
    jw_kv_time(jw, "shipped_at", shipment->shipped_at_ms);
    jw_kv_time(jw, "delivered_at", shipment->delivered_at_ms);
    jw_kv_time(jw, "picked_up_at", shipment->picked_up_at_ms);
    jw_kv_time(jw, "cancelled_at", shipment->cancelled_at_ms);
    jw_object_end(jw);
}

void render_pick_list(struct jw *jw, const struct pick_list *pick_list)
{
    ASSERT(jw != NULL);
    ASSERT(pick_list != NULL);
    jw_object_begin(jw);
    jw_kv_string(jw, "id", pick_list->id);
    jw_kv_string(jw, "location", pick_list->location_code);
    jw_kv_string(jw, "status", pick_list->completed ? "completed" : "open");
    jw_kv_string(jw, "picker", pick_list->picker);
    jw_key(jw, "shipments");
    jw_array_begin(jw);
    for (size_t i = 0; i < pick_list->lines_count; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(pick_list->lines[j].shipment_id, pick_list->lines[i].shipment_id) == 0;
        }
        if (!seen) {
            jw_string(jw, pick_list->lines[i].shipment_id);
        }
    }
    jw_array_end(jw);
    jw_key(jw, "lines");
    jw_array_begin(jw);
    for (size_t i = 0; i < pick_list->lines_count; i++) {
        const struct pick_list_line *line = &pick_list->lines[i];
        jw_object_begin(jw);
        jw_kv_int(jw, "line_no", line->line_no);
        jw_kv_string(jw, "shipment_id", line->shipment_id);
        jw_kv_string(jw, "order_id", line->order_id);
        jw_kv_string(jw, "order_line_id", line->order_line_id);
        jw_kv_string(jw, "sku", line->sku);
        jw_kv_string(jw, "bin_location", line->bin_location);
        jw_kv_int(jw, "qty", line->qty);
        jw_kv_int(jw, "qty_shorted", line->qty_shorted);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_kv_time(jw, "started_at", pick_list->started_at_ms);
    jw_kv_time(jw, "completed_at", pick_list->completed_at_ms);
    jw_kv_int(jw, "version", pick_list->version);
    jw_object_end(jw);
}

/* Renders one result with fn and sets status. */
static enum err_code render_answer_with(struct buf *body, int *status, int answer_status,
                                        void (*fn)(struct jw *, const void *), const void *result)
{
    struct jw jw;
    jw_init(&jw, body);
    fn(&jw, result);
    *status = answer_status;
    return jw_finish(&jw);
}

static void render_shipment_view_any(struct jw *jw, const void *result)
{
    render_shipment_view(jw, result);
}

static void render_pick_list_any(struct jw *jw, const void *result)
{
    render_pick_list(jw, result);
}

enum err_code render_shipment_answer(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    return render_answer_with(body, status, 200, render_shipment_view_any, result);
}

enum err_code render_pick_list_created(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    return render_answer_with(body, status, 201, render_pick_list_any, result);
}

enum err_code render_pick_list_answer(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    return render_answer_with(body, status, 200, render_pick_list_any, result);
}

/* ---- payments (README "Payments") ---------------------------------------------------------- */

static void render_payment_txn(struct jw *jw, const struct payment_txn *txn)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "id", txn->id);
    jw_kv_string(jw, "kind", payment_kind_name(txn->kind));
    jw_kv_int(jw, "amount", txn->amount);
    jw_kv_string(jw, "currency", txn->currency);
    jw_kv_string(jw, "status", payment_status_name(txn->status));
    jw_kv_string(jw, "provider", txn->provider);
    jw_kv_string(jw, "provider_ref", txn->provider_ref);
    jw_kv_string(jw, "shipment_id", txn->shipment_id);
    jw_kv_string(jw, "return_id", txn->return_id);
    jw_kv_string(jw, "error", txn->error);
    jw_kv_time(jw, "created_at", txn->created_at_ms);
    jw_kv_time(jw, "updated_at", txn->updated_at_ms);
    jw_object_end(jw);
}

void render_payments(struct jw *jw, const struct app_payments_view *view)
{
    ASSERT(jw != NULL && view != NULL);
    const struct order *order = &view->order;
    jw_object_begin(jw);
    jw_kv_string(jw, "order_id", order->id);
    jw_kv_string(jw, "order_status", order_status_name(order->status));
    jw_kv_string(jw, "hold_reason", order->hold_reason);
    jw_kv_string(jw, "provider", order->payment_provider);
    jw_kv_string(jw, "currency", order->currency);
    jw_kv_int(jw, "order_total", order->totals.total);
    jw_kv_int(jw, "authorized", view->totals.authorized);
    jw_kv_int(jw, "captured", view->totals.captured);
    jw_kv_int(jw, "refunded", view->totals.refunded);
    jw_kv_int(jw, "refund_pending", view->totals.refund_pending);
    jw_kv_int(jw, "refundable", payment_refundable(&view->totals));
    jw_key(jw, "data");
    jw_array_begin(jw);
    for (size_t i = 0; i < view->count; i++) {
        render_payment_txn(jw, &view->txns[i]);
    }
    jw_array_end(jw);
    jw_object_end(jw);
}
