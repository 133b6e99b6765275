-- 018_products_version.sql — a version of the catalog, moved on by every change to a product or
-- a kit's components (as 'locations' by the locations, 009): a process keeps a copy of the
-- products order capture prices and routes with while the number it read is the stored one.
INSERT INTO availability_versions (name, value) VALUES ('products', 1);

CREATE TRIGGER catalog_product_inserted AFTER INSERT ON products
BEGIN
    UPDATE availability_versions SET value = value + 1 WHERE name = 'products';
END;

CREATE TRIGGER catalog_product_updated AFTER UPDATE ON products
BEGIN
    UPDATE availability_versions SET value = value + 1 WHERE name = 'products';
END;

CREATE TRIGGER catalog_product_deleted AFTER DELETE ON products
BEGIN
    UPDATE availability_versions SET value = value + 1 WHERE name = 'products';
END;

CREATE TRIGGER catalog_component_inserted AFTER INSERT ON kit_components
BEGIN
    UPDATE availability_versions SET value = value + 1 WHERE name = 'products';
END;

CREATE TRIGGER catalog_component_updated AFTER UPDATE ON kit_components
BEGIN
    UPDATE availability_versions SET value = value + 1 WHERE name = 'products';
END;

CREATE TRIGGER catalog_component_deleted AFTER DELETE ON kit_components
BEGIN
    UPDATE availability_versions SET value = value + 1 WHERE name = 'products';
END;
