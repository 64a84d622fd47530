import type { Config } from '../config.js';

/**
 * The tracking-link signing key: from the environment locally, from Secrets Manager on AWS,
 * fetched once per cold start. The Secrets Manager client is imported only when needed, so the
 * import runs while the serve function's first DynamoDB reads are in flight (and not at all locally).
 */
export function secretLoader(config: Config): () => Promise<string> {
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= load(config).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

async function load(config: Config): Promise<string> {
  if (config.TRACKING_SECRET) return config.TRACKING_SECRET;
  if (!config.TRACKING_SECRET_ARN) throw new Error('Set TRACKING_SECRET or TRACKING_SECRET_ARN');
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: config.AWS_REGION });
  const out = await client.send(new GetSecretValueCommand({ SecretId: config.TRACKING_SECRET_ARN }));
  if (!out.SecretString) throw new Error('The tracking secret is empty');
  return out.SecretString;
}
