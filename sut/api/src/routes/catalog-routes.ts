import type { FastifyInstance } from 'fastify';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { parseOr400 } from '@observastack/sut-common/http/service-app.ts';
import type { ApiContext } from '../context.ts';
import { pageSize, productIdSchema, productListQuerySchema } from './shop-schemas.ts';

interface ProductRow {
  id: number;
  sku: string;
  name: string;
  category: string;
  description?: string;
  base_price_cents: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

export function registerCatalogRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const priced = (p: ProductRow) => ({
    id: p.id,
    sku: p.sku,
    name: p.name,
    category: p.category,
    priceCents: ctx.price({ id: p.id, basePriceCents: p.base_price_cents }),
  });

  app.get('/api/products', async (req) => {
    const q = parseOr400(productListQuerySchema, req.query, 'query');
    const rows = await ctx.db.query<ProductRow>(
      'product_list',
      `SELECT id, sku, name, category, base_price_cents FROM shop.products
        WHERE $1::text IS NULL OR name ILIKE '%' || $1 || '%'
        ORDER BY id LIMIT $2 OFFSET $3`,
      [q.search ? escapeLike(q.search) : null, pageSize, (q.page - 1) * pageSize],
    );
    const products = rows.map(priced);
    const badges = ctx.badges?.track(products);
    return {
      page: q.page,
      pageSize,
      products: badges ? products.map((p) => ({ ...p, badge: badges.get(p.id) })) : products,
    };
  });

  app.get('/api/products/:id', async (req) => {
    const { id } = parseOr400(productIdSchema, req.params, 'product id');
    const [row] = await ctx.db.query<ProductRow>(
      'product_get',
      'SELECT id, sku, name, category, description, base_price_cents FROM shop.products WHERE id = $1',
      [id],
    );
    if (!row) throw new HttpError(`product ${id} not found`, { code: 'not_found', status: 404 });
    // A slow or failing inventory degrades the page (availability unknown) rather than failing it.
    const availability = await ctx.inventory
      .availability(id, ctx.config.get().inventoryTimeoutMs)
      .catch((err: Error) => {
        ctx.logger.warn({ productId: id, reason: err.message }, 'availability unknown: inventory call failed');
        return null;
      });
    const product = priced(row);
    const badge = ctx.badges?.track([product]).get(product.id);
    return { ...product, description: row.description, availability, ...(badge === undefined ? {} : { badge }) };
  });

  app.get('/api/recommendations/:id', async (req) => {
    const { id } = parseOr400(productIdSchema, req.params, 'product id');
    if (id > 2000) throw new HttpError(`product ${id} not found`, { code: 'not_found', status: 404 });
    const ids = await ctx.recommendations.run({ productId: id, limit: 6 });
    return { productId: id, recommendations: ids };
  });
}
