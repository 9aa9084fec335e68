// PUT /users/{userId}/roles's wiring (functions/users/wiring.ts says how it is laid out).
import { UserService } from '../domain/user-service.js';
import { usersRepository } from './shared.js';

let setRoles: UserService | undefined;
/** An admin replaces a user's roles: the users table's profile items only. */
export const setUserRolesService = () => (setRoles ??= new UserService({ users: usersRepository() }));
