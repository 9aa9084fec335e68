/**
 * Reads the simulator's ledger item of an order (adapters/payment-simulator.ts), for tests and operators: how
 * often the order was charged and refunded, and how often that was asked. Kept out of the simulator itself,
 * so no function's bundle (and role) carries a read it does not make.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { providerLedgerKey, type SimulatorLedger } from './payment-simulator.js';

export async function readSimulatorLedger(
  client: DynamoDBDocumentClient,
  tableName: string,
  orderId: string,
): Promise<SimulatorLedger | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: providerLedgerKey(orderId), ConsistentRead: true }));
  if (!Item) return undefined;
  const ledger = { ...Item };
  for (const key of ['pk', 'sk', 'entity']) delete ledger[key];
  return ledger as SimulatorLedger;
}
