// `npm run bench`: every benchmark of the local stack, one after the other, figures printed.
import { measureBundles, printBundles } from './bundles.js';
import { measureGateway, printGateway } from './gateway.js';

printBundles(await measureBundles());
printGateway(await measureGateway(2000, 4), 4);
