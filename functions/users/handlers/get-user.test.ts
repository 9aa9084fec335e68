import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import type { Role } from '../../shared/auth/roles.js';
import type { Page } from '../../shared/pagination.js';
import type { User, UserOrders, UserRepository, UserSummary, UserOrder } from '../domain/user.js';
import { UserService } from '../domain/user-service.js';
import { createHandler } from './get-user.js';

const ADA: User = {
  userId: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b',
  email: 'ada@example.com',
  name: 'Ada',
  createdAt: '2026-01-01T00:00:00.000Z',
};
const GRACE = '0a1b2c3d-0000-4000-8000-000000000002';
const ORDER: UserOrder = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: ADA.userId,
  productId: 'CATALOG-001',
  qty: 2,
  status: 'PENDING',
  createdAt: '2026-05-01T00:00:00.000Z',
};

class MemoryUsers implements UserRepository {
  users = new Map<string, User>();
  async getUser(userId: string) {
    return this.users.get(userId);
  }
  async claimEmail(): Promise<boolean> {
    throw new Error('not used by this handler');
  }
  async completeRegistration(): Promise<boolean> {
    throw new Error('not used by this handler');
  }
  async releaseClaim() {}
  async findCredential() {
    return undefined;
  }
  async replacePasswordHash() {}
  async listUsers(): Promise<Page<UserSummary>> {
    throw new Error('not used by this handler');
  }
  async findRoles(): Promise<Role[] | undefined> {
    throw new Error('not used by this handler');
  }
  async setRoles(): Promise<boolean> {
    throw new Error('not used by this handler');
  }
  async findUserIdByEmail(): Promise<string | undefined> {
    throw new Error('not used by this handler');
  }
}

function setup(orders: UserOrders['ordersOf'] = async () => ({ orders: [ORDER], available: true })) {
  const users = new MemoryUsers();
  users.users.set(ADA.userId, ADA);
  const ordersOf = vi.fn(orders);
  const service = new UserService({ users, orders: { ordersOf } });
  const getUserWithOrders = vi.fn((userId: string) => service.getUserWithOrders(userId));
  const handler = createHandler(() => ({ getUserWithOrders }));
  const call = async (userId: string, extra: Partial<APIGatewayProxyEvent> = authorizedBy(userId)) => {
    const response = await handler(apiEvent({ path: `/users/${userId}`, pathParameters: { userId }, ...extra }), lambdaContext);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { users, ordersOf, getUserWithOrders, call };
}

describe('GET /users/{userId}', () => {
  it('answers 200 {userId,email,name,orders,ordersAvailable} for the caller, and nothing else of the user', async () => {
    const { getUserWithOrders, ordersOf, call } = setup();
    const response = await call(ADA.userId);
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ userId: ADA.userId, email: 'ada@example.com', name: 'Ada', orders: [ORDER], ordersAvailable: true });
    expect(getUserWithOrders).toHaveBeenCalledExactlyOnceWith(ADA.userId);
    expect(ordersOf).toHaveBeenCalledExactlyOnceWith(ADA.userId);
  });

  it('still answers 200 with "orders":[] and "ordersAvailable":false when the orders context cannot answer', async () => {
    const response = await setup(async () => ({ orders: [], available: false })).call(ADA.userId);
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ userId: ADA.userId, email: 'ada@example.com', name: 'Ada', orders: [], ordersAvailable: false });
  });

  it('answers 404 when the caller has no user (e.g. a token that outlived it)', async () => {
    const { users, ordersOf, call } = setup();
    users.users.clear();
    const response = await call(ADA.userId);
    expect(response.statusCode).toBe(404);
    expect(response.json).toEqual({ message: `User ${ADA.userId} not found`, code: 'NOT_FOUND' });
    expect(ordersOf).not.toHaveBeenCalled();
  });

  it.each([
    ['another existing user', GRACE],
    ['an unknown user', '0a1b2c3d-0000-4000-8000-00000000ffff'],
    ['a malformed id', 'not a user id!'],
  ])('answers 403 for %s, and reads nothing', async (_name, userId) => {
    const { getUserWithOrders, call } = setup();
    const response = await call(userId, authorizedBy(ADA.userId));
    expect(response.statusCode).toBe(403);
    expect(response.json).toEqual({ message: 'You may only access your own user', code: 'FORBIDDEN' });
    expect(getUserWithOrders).not.toHaveBeenCalled();
  });

  it.each([
    ['no authorizer context', {}],
    ['only an Authorization header (gateway mode never reads it)', { headers: { Authorization: 'Bearer forged.token.here' } }],
  ])('answers 401 for %s, and reads nothing', async (_name, extra) => {
    const { getUserWithOrders, call } = setup();
    const response = await call(ADA.userId, extra);
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ message: 'Unauthorized', code: 'UNAUTHORIZED' });
    expect(getUserWithOrders).not.toHaveBeenCalled();
  });

  it('answers 400 naming userId for an id over 256 characters, and reads nothing', async () => {
    const { getUserWithOrders, call } = setup();
    const response = await call('u'.repeat(257), authorizedBy(ADA.userId));
    expect(response.statusCode).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'userId' }] });
    expect(getUserWithOrders).not.toHaveBeenCalled();
  });
});
