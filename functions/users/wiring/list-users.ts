// GET /users's wiring (functions/users/wiring.ts says how it is laid out).
import { UserService } from '../domain/user-service.js';
import { usersRepository } from './shared.js';

let listUsers: UserService | undefined;
export const listUsersService = () => (listUsers ??= new UserService({ users: usersRepository() }));
