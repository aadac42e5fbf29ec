import type { PrincipalKind } from '../db/schema.js';
import type { Deps } from '../deps.js';

export interface Principal {
  kind: PrincipalKind;
  /** 'operator' for the operator, else the platform/account/official id. */
  id: string;
  /** null for the OPERATOR_API_KEY secret, which is not a stored key. */
  keyId: string | null;
  scopes: readonly string[];
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    requestId: string;
    principal?: Principal;
  };
}
