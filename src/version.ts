/**
 * The one version string of the service, its HTTP API (OpenAPI `info.version`, `/healthz`) and its docs
 * (CHANGELOG.md): package.json's `version`. A release is tagged `v<version>` in git.
 */
import pkg from '../package.json';

export const APP_VERSION: string = pkg.version;
