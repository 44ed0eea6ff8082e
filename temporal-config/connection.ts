import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { AppConfig } from '../config/index';

/**
 * Connection options shared by the client (`Connection.connect`) and the worker
 * (`NativeConnection.connect`): address, TLS (mTLS or a custom CA) and an API key for
 * Temporal Cloud. Reads certificate files; throws if one cannot be read.
 */
export function temporalConnectionOptions(temporal: AppConfig['temporal']): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
} {
  const { tls, apiKey, address } = temporal;
  if (tls === undefined) return { address, ...(apiKey !== undefined ? { apiKey } : {}) };
  const tlsConfig: TLSConfig = {};
  if (tls.serverName !== undefined) tlsConfig.serverNameOverride = tls.serverName;
  if (tls.caPath !== undefined) tlsConfig.serverRootCACertificate = readFileSync(tls.caPath);
  if (tls.clientCertPath !== undefined && tls.clientKeyPath !== undefined) {
    tlsConfig.clientCertPair = { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) };
  }
  return {
    address,
    tls: Object.keys(tlsConfig).length > 0 ? tlsConfig : true,
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}
