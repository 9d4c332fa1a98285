import { loadPlatformConfig } from '@txn/infra-local';
import { runImagesInit } from './commands/images-init';

/**
 * The platform-init image's program: `./platform images init <step…>` without the rest of the CLI,
 * whose other commands import development-only packages the image does not carry.
 */
runImagesInit(process.argv.slice(2), loadPlatformConfig()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[init] FAILED ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
