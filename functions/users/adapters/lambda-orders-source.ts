// Asks the orders context for a user's orders by invoking its internal query function (no HTTP hop,
// no token forwarding; IAM allows the users role to invoke that one function only). The answer is checked
// against the query's contract before it reaches a client (functions/shared/queries/user-orders.ts).
import { InvokeCommand, LambdaInvokeClient } from './lambda-invoke-client.js';
import { userOrdersAnswer, type OrderViewData, type UserOrdersQuery } from '../../shared/queries/user-orders.js';

export function lambdaOrdersSource(functionName: string, limit = 20, client: Pick<LambdaInvokeClient, 'send'> = new LambdaInvokeClient()) {
  return async (userId: string): Promise<OrderViewData[]> => {
    const query: UserOrdersQuery = { userId, limit };
    const response = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(query)) }));
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : 'null';
    if (response.FunctionError) throw new Error(`${functionName} failed: ${response.FunctionError}`);
    const answer = userOrdersAnswer.safeParse(JSON.parse(text));
    if (!answer.success) throw new Error(`${functionName} answered outside its contract`);
    return answer.data.items;
  };
}
