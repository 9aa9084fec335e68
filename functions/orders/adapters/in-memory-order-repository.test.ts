import { describeOrderRepositoryContract } from './order-repository.contract.js';
import { InMemoryOrderRepository } from './in-memory-order-repository.js';

describeOrderRepositoryContract('in memory', async () => new InMemoryOrderRepository());
