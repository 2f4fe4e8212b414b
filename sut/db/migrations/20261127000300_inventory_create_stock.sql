-- owner: inventory (schema inventory)
CREATE SCHEMA IF NOT EXISTS inventory;

CREATE TABLE inventory.warehouses (
  id     integer PRIMARY KEY,
  name   text NOT NULL,
  region text NOT NULL
);

CREATE TABLE inventory.stock (
  id           bigserial PRIMARY KEY,
  product_id   integer NOT NULL,
  warehouse_id integer NOT NULL REFERENCES inventory.warehouses (id),
  quantity     integer NOT NULL CHECK (quantity >= 0),
  reserved     integer NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= quantity)
);

CREATE TABLE inventory.reservations (
  id         bigserial PRIMARY KEY,
  order_ref  text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inventory.reservation_items (
  reservation_id bigint NOT NULL REFERENCES inventory.reservations (id) ON DELETE CASCADE,
  stock_id       bigint NOT NULL REFERENCES inventory.stock (id),
  product_id     integer NOT NULL,
  quantity       integer NOT NULL CHECK (quantity > 0)
);
