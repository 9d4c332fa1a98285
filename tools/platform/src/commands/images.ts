import type { PlatformConfig } from '@txn/infra-local';
import { composeDown, composeUp, writeComposeSecrets } from './compose';
import { buildImages } from './images-build';
import { runImagesInit } from './images-init';

export const IMAGES_USAGE = `usage: ./platform images <command>
  build [--force] [name…]
                  build with podman the named images (all when none is named) that are stale:
                  missing, or labelled org.txn-platform.inputs with another digest than this
                  tree's inputs (Containerfile, build arguments, base image, the files it copies);
                  --force builds them all (still from podman's layer cache). Prints each one's
                  size. The Debian base image is made here once (decision 0041)
  secrets [dir]   write docker-compose.yml's secret files (default .platform/compose/secrets), once
  up | down       the whole platform from docker-compose.yml through podman (docker-compose v1 on
                  podman's Docker API socket); down removes its containers, volumes and network
  init <step…>    a container deployment's set-up steps (databases, topics, schemas, webhooks):
                  the platform-init image runs this`;

/** `./platform images …`; returns the exit code. */
export async function runImagesCommand(args: readonly string[], config: PlatformConfig): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'build': {
      const flags = rest.filter((arg) => arg.startsWith('-'));
      if (flags.some((flag) => flag !== '--force')) {
        process.stderr.write(`${IMAGES_USAGE}\n`);
        return 2;
      }
      return buildImages(config, rest.filter((arg) => !arg.startsWith('-')), { force: flags.includes('--force') });
    }
    case 'secrets':
      process.stdout.write(`${writeComposeSecrets(config, rest[0])}\n`);
      return 0;
    case 'up':
      await composeUp(config, {});
      return 0;
    case 'down':
      await composeDown(config, {});
      return 0;
    case 'init':
      return runImagesInit(rest, config);
    default:
      process.stderr.write(`${IMAGES_USAGE}\n`);
      return action === undefined || action === 'help' || action === '--help' ? 0 : 2;
  }
}
