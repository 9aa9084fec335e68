// POST /users's wiring (functions/users/wiring.ts says how it is laid out).
import { Argon2PasswordHasher } from '../auth/password-hasher.js';
import { UserService } from '../domain/user-service.js';
import { usersRepository } from './shared.js';

let signUp: UserService | undefined;
export const signUpService = () => (signUp ??= new UserService({ users: usersRepository(), passwords: new Argon2PasswordHasher() }));
