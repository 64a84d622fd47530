import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BundleInfo {
  fn: string;
  /** The bundle file, as cdk synth's esbuild wrote it. */
  path: string;
  bytes: number;
}

/**
 * Runs `cdk synth` into a fresh folder and measures each Lambda's bundle: the esbuild output that
 * a deployment uploads, found through the asset path the template records for each function.
 */
export function synthBundles(): BundleInfo[] {
  const out = mkdtempSync(join(tmpdir(), 'placard-synth-'));
  const run = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) throw new Error(`cdk synth failed:\n${run.stderr.slice(-2000)}`);
  // The stack's name carries the stage (STAGE, `prod` by default): take whichever template synth wrote.
  const file = readdirSync(out).find((f) => /^Placard-.*\.template\.json$/.test(f));
  if (file === undefined) throw new Error(`cdk synth wrote no Placard template into ${out}`);
  const template = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  return (
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:asset:path'])
      .map(([logicalId, r]) => ({ logicalId, path: join(out, r.Metadata?.['aws:asset:path'] ?? '', 'index.mjs') }))
      // Ours are esbuild bundles (index.mjs); CDK's own helpers (the console's BucketDeployment) are not.
      .filter(({ path }) => existsSync(path))
      .map(({ logicalId, path }) => ({ fn: logicalId.replace(/Function.*$/, '').toLowerCase(), path, bytes: statSync(path).size }))
  );
}
