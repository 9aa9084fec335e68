// Asks the orders context for a user's orders by invoking its internal query function (no HTTP hop,
// no token forwarding; IAM allows the users role to invoke that one function only).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

export function lambdaOrdersSource(functionName: string, limit = 20, client = new LambdaClient({ maxAttempts: 1 })) {
  return async (userId: string): Promise<unknown[]> => {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: Buffer.from(JSON.stringify({ userId, limit })),
      }),
    );
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : 'null';
    if (response.FunctionError) throw new Error(`${functionName} failed: ${response.FunctionError}`);
    const payload = JSON.parse(text) as { items?: unknown } | null;
    if (!payload || !Array.isArray(payload.items)) throw new Error(`${functionName} answered without items`);
    return payload.items as unknown[];
  };
}
