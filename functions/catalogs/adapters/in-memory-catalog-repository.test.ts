import { describeCatalogRepositoryContract } from './catalog-repository.contract.js';
import { InMemoryCatalogRepository } from './in-memory-catalog-repository.js';

describeCatalogRepositoryContract('in memory', {
  repository: async () => new InMemoryCatalogRepository(),
  setProduct: async (repository, product) => {
    (repository as InMemoryCatalogRepository).products.set(product.productId, { ...product });
  },
  removeProduct: async (repository, productId) => {
    (repository as InMemoryCatalogRepository).products.delete(productId);
  },
});
