import { describePaymentProviderContract } from './payment-provider.contract.js';
import { describePaymentRepositoryContract } from './payment-repository.contract.js';
import { InMemoryPaymentRepository } from './in-memory-payment-repository.js';
import { InMemoryPaymentSimulator } from './in-memory-payment-simulator.js';

describePaymentRepositoryContract('in memory', async () => new InMemoryPaymentRepository());
describePaymentProviderContract('in memory', async (now) => {
  const simulator = new InMemoryPaymentSimulator(now);
  return { provider: simulator, ledger: async (orderId) => simulator.ledgers.get(orderId) };
});
