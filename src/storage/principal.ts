/**
 * A person is the pair (tenant id, AAD object id): object ids are unique only within a tenant,
 * and agencies' staff sit in different Microsoft 365 organisations.
 */
export interface Principal {
  tenantId: string;
  aadObjectId: string;
}

export const principalKey = (p: Principal) => `${p.tenantId.toLowerCase()}:${p.aadObjectId.toLowerCase()}`;
export const samePrincipal = (a: Principal, b: Principal) => principalKey(a) === principalKey(b);
