// Entry of the single-file build (npm run bundle → dist/meshctl.mjs, run as
// `node meshctl.mjs`): what bin/meshctl does for the installed package.
import { main } from './main.js';

// meshctl checks the Node version itself (engines: >=20); the SDK's notice about its own future Node requirement is not the user's concern.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await main(process.argv);
