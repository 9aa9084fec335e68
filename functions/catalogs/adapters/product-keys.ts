/**
 * The catalog port's product keys and list tokens, kept by both adapters (DynamoDB and the in-memory fake): one
 * definition, so the fake's pages cannot drift from the adapter's. No SDK here.
 */
import { PageTokens } from '../../shared/pagination.js';

export const productKey = (productId: string) => ({
  pk: `PRODUCT#${productId}`,
  sk: 'PRODUCT',
});

/** `GET /catalogs` goes on after a product item's keys. */
export const productPageTokens = new PageTokens(
  ['pk', 'sk'],
  ({ pk, sk }) => typeof pk === 'string' && pk.startsWith('PRODUCT#') && sk === 'PRODUCT',
);
