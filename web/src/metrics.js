// metrics.js — the fourteen metrics of GET /v1/metrics (docs METRICS.md): label, how to show
// the value, and whether a rise is good (for the colour of the change).
import { money, number, percent } from './format.js';

const hours = (v) => (v === null || v === undefined ? '—' : `${number(v, 1)} h`);

export const METRICS = [
  { key: 'average_order_value', label: 'Average order value', fmt: money, up: true },
  { key: 'cost_per_order', label: 'Cost per order', fmt: money, up: false },
  { key: 'internal_order_cycle_time_hours', label: 'Internal order cycle time', fmt: hours, up: false },
  { key: 'on_time_shipping_rate', label: 'On-time shipping', fmt: percent, up: true, rate: true },
  { key: 'order_fill_rate', label: 'Order fill rate', fmt: percent, up: true, rate: true },
  { key: 'order_fulfillment_cycle_time_hours', label: 'Fulfillment cycle time', fmt: hours, up: false },
  { key: 'orders_picked_per_hour', label: 'Orders picked per hour', fmt: (v) => number(v, 1), up: true },
  { key: 'order_placement_rate', label: 'Order placement rate', fmt: percent, up: true, rate: true },
  { key: 'perfect_order_rate', label: 'Perfect order rate', fmt: percent, up: true, rate: true },
  { key: 'purchase_frequency', label: 'Purchase frequency', fmt: (v) => number(v, 2), up: true },
  { key: 'return_rate', label: 'Return rate', fmt: percent, up: false, rate: true },
  { key: 'scrap_rate', label: 'Scrap rate', fmt: percent, up: false, rate: true },
  { key: 'shipping_cost_per_order', label: 'Shipping cost per order', fmt: money, up: false },
  { key: 'cart_abandonment_rate', label: 'Cart abandonment', fmt: percent, up: false, rate: true },
];

// The change from prev to cur: percentage points for rates, a relative change otherwise.
export function change(metric, cur, prev) {
  if (cur === null || cur === undefined || prev === null || prev === undefined) return null;
  if (metric.rate) {
    const pts = (cur - prev) * 100;
    return { text: `${pts >= 0 ? '+' : ''}${pts.toFixed(1)} pts`, sign: Math.sign(pts) };
  }
  if (prev === 0) return null;
  const rel = ((cur - prev) / Math.abs(prev)) * 100;
  return { text: `${rel >= 0 ? '+' : ''}${rel.toFixed(1)}%`, sign: Math.sign(rel) };
}
