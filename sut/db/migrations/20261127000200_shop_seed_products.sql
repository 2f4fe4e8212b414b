-- owner: api. 2,000 products generated in SQL: deterministic names, categories and prices.
INSERT INTO shop.products (id, sku, name, description, category, base_price_cents)
SELECT g,
       'SKU-' || lpad(g::text, 5, '0'),
       (ARRAY['Trail', 'Urban', 'Classic', 'Ultra', 'Compact', 'Pro', 'Eco', 'Retro'])[1 + g % 8] || ' ' ||
       (ARRAY['Backpack', 'Lamp', 'Kettle', 'Jacket', 'Headphones', 'Bottle', 'Tent', 'Keyboard', 'Mug', 'Bicycle'])[1 + (g / 8) % 10] ||
       ' ' || g,
       'A sturdy, well reviewed product number ' || g || ' from the ObservaStack shop.',
       (ARRAY['outdoor', 'home', 'kitchen', 'apparel', 'audio', 'office'])[1 + g % 6],
       499 + (g * 7919) % 49500
FROM generate_series(1, 2000) AS g;
