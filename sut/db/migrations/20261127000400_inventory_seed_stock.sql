-- owner: inventory. 250 warehouses x 2,000 products = 500,000 stock rows, so that a lookup without the
-- stock index is a sequential scan of the whole table.
INSERT INTO inventory.warehouses (id, name, region)
SELECT w, 'Warehouse ' || w, (ARRAY['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'])[1 + w % 5]
FROM generate_series(1, 250) AS w;

-- Rows of one product are written together (as stock is received per product), so an index lookup touches a
-- few pages while a sequential scan still reads the whole table.
INSERT INTO inventory.stock (product_id, warehouse_id, quantity)
SELECT p, w, 200 + (p * 31 + w * 17) % 800
FROM generate_series(1, 2000) AS p, generate_series(1, 250) AS w
ORDER BY p, w;

-- The index the db-slow-query incident drops (and the fix recreates): see inventory's `stockIndex` knob.
CREATE INDEX stock_product_id_idx ON inventory.stock (product_id);
ANALYZE inventory.stock;
