/** The ledger events publisher as deployed (one for the stack, both accounts); its own module, so that its bundle holds only its own code. */
import { readEventsEnvironment, type Environment } from '../environment';
import { EventBus } from '../event-bus/event-bus';
import { publishLedgerEventsHandler } from '../handlers/publish-ledger-events';
import { jsonLog } from '../log';
import { eventBridgeClient } from './eventbridge-client';
import { lazy } from './lazy';

export function publishLedgerEventsFunction(env: Environment) {
  return publishLedgerEventsHandler(
    jsonLog({ service: 'publish-ledger-events', level: env.LOG_LEVEL }),
    lazy(() => ({ bus: new EventBus({ client: eventBridgeClient(), eventBusName: readEventsEnvironment(env).eventBusName }) })),
  );
}
