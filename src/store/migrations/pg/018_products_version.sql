-- 018_products_version.sql — a version of the catalog, moved on by every change to a product or
-- a kit's components (as 'locations' by the locations, 009): a process keeps a copy of the
-- products order capture prices and routes with while the number it read is the stored one.
INSERT INTO availability_versions (name, value) VALUES ('products', 1);

CREATE FUNCTION catalog_products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE availability_versions SET value = value + 1 WHERE name = 'products';
    RETURN NULL;
END
$$;

CREATE TRIGGER catalog_products_changed AFTER INSERT OR UPDATE OR DELETE ON products
FOR EACH STATEMENT EXECUTE FUNCTION catalog_products_changed();
CREATE TRIGGER catalog_components_changed AFTER INSERT OR UPDATE OR DELETE ON kit_components
FOR EACH STATEMENT EXECUTE FUNCTION catalog_products_changed();
