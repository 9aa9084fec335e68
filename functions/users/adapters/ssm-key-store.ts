/**
 * The key store on AWS and LocalStack: the key set (private keys) in an SSM SecureString, and the
 * public JWKS derived from it in a plain String parameter, so the authorizer and the JWKS route
 * never need (or get) access to a private key. Written by functions/users/scripts (deploy step and
 * rotation), read by the functions. Key material is never logged.
 */
import { GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parseJwks, parseKeySet, publicJwks, type Jwks, type JwtKeySet } from '../auth/key-set.js';
import type { KeySetStore } from './key-sources.js';

export class SsmKeyStore implements KeySetStore {
  constructor(
    private readonly ssm: SSMClient,
    readonly signingKeysParameter: string,
    readonly publicKeysParameter: string,
    /** KMS key for the SecureString; default: the account's aws/ssm key. */
    private readonly kmsKeyId?: string,
  ) {}

  describe(): string {
    return `SSM ${this.signingKeysParameter} (public keys: ${this.publicKeysParameter})`;
  }

  async read(): Promise<JwtKeySet | undefined> {
    const value = await this.get(this.signingKeysParameter, true);
    return value === undefined ? undefined : parseKeySet(JSON.parse(value));
  }

  async readPublic(): Promise<Jwks | undefined> {
    const value = await this.get(this.publicKeysParameter, false);
    return value === undefined ? undefined : parseJwks(JSON.parse(value));
  }

  /** Creates the SecureString unless it exists (no overwrite, so a race cannot replace keys). */
  async create(set: JwtKeySet): Promise<JwtKeySet> {
    await this.putPublic(publicJwks(set));
    try {
      await this.putSigning(set, false);
      return set;
    } catch (error) {
      if (!(error instanceof ParameterAlreadyExists)) throw error;
      const existing = (await this.read()) as JwtKeySet;
      await this.putPublic(publicJwks(existing));
      return existing;
    }
  }

  /** Rotation: publish the public keys first, then change what signs. */
  async replace(set: JwtKeySet): Promise<void> {
    await this.putPublic(publicJwks(set));
    await this.putSigning(set, true);
  }

  /** Rewrites the public parameter from the key set (repairs a missing or stale one). */
  async syncPublic(set: JwtKeySet): Promise<void> {
    await this.putPublic(publicJwks(set));
  }

  private async get(name: string, withDecryption: boolean): Promise<string | undefined> {
    try {
      const { Parameter } = await this.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: withDecryption }));
      return Parameter?.Value;
    } catch (error) {
      if (error instanceof ParameterNotFound) return undefined;
      throw error;
    }
  }

  private async putSigning(set: JwtKeySet, overwrite: boolean): Promise<void> {
    await this.ssm.send(
      new PutParameterCommand({
        Name: this.signingKeysParameter,
        Type: 'SecureString',
        Value: JSON.stringify(set),
        Overwrite: overwrite,
        // Standard parameters hold 4 KB; a key set with a next key can be larger: pick the tier by size.
        Tier: 'Intelligent-Tiering',
        Description: 'JWT signing keys of the users context (RS256). Managed by functions/users/scripts; never edit by hand.',
        ...(this.kmsKeyId ? { KeyId: this.kmsKeyId } : {}),
      }),
    );
  }

  private async putPublic(jwks: Jwks): Promise<void> {
    await this.ssm.send(
      new PutParameterCommand({
        Name: this.publicKeysParameter,
        Type: 'String',
        Value: JSON.stringify(jwks),
        Overwrite: true,
        Tier: 'Intelligent-Tiering',
        Description: 'Public JWKS of the users context, derived from the signing keys. Managed by functions/users/scripts.',
      }),
    );
  }
}
