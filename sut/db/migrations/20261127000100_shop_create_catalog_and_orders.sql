-- owner: api (schema shop)
CREATE SCHEMA IF NOT EXISTS shop;

CREATE TABLE shop.products (
  id               integer PRIMARY KEY,
  sku              text NOT NULL UNIQUE,
  name             text NOT NULL,
  description      text NOT NULL,
  category         text NOT NULL,
  base_price_cents integer NOT NULL CHECK (base_price_cents > 0)
);
CREATE INDEX products_category_idx ON shop.products (category);

CREATE TABLE shop.orders (
  id             bigserial PRIMARY KEY,
  customer_id    text NOT NULL,
  status         text NOT NULL CHECK (status IN ('confirmed')),
  total_cents    bigint NOT NULL CHECK (total_cents >= 0),
  reservation_id bigint NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shop.order_items (
  order_id         bigint NOT NULL REFERENCES shop.orders (id) ON DELETE CASCADE,
  product_id       integer NOT NULL REFERENCES shop.products (id),
  quantity         integer NOT NULL CHECK (quantity > 0),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents > 0),
  PRIMARY KEY (order_id, product_id)
);
