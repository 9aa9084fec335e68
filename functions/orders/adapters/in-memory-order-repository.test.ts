import { describeOrderRepositoryContract } from './order-repository.contract.js';
import { InMemoryOrderRepository } from './in-memory-order-repository.js';

describeOrderRepositoryContract('in memory', async () => {
  const repo = new InMemoryOrderRepository();
  return { repo, stored: async (orderId: string) => repo.orders.get(orderId) as Record<string, unknown> | undefined };
});
