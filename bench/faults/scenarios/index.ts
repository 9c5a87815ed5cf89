import type { Scenario } from '../support/scenario.js';
import { crashSafety } from './crash-safety.js';
import { receiverOutage } from './receiver-outage.js';
import { pbxFaults } from './pbx-faults.js';
import { ownDbRestart } from './own-db-restart.js';
import { hostileInput } from './hostile-input.js';
import { securityProbe } from './security-probe.js';

/** Every scenario, in the order the runner prints them. */
export const SCENARIOS: Scenario[] = [
  crashSafety,
  receiverOutage,
  pbxFaults,
  ownDbRestart,
  hostileInput,
  securityProbe,
];
