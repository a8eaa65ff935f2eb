/** Its own module so that only the ledger events publisher's bundle carries the EventBridge client. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { credentials, requestHandler } from './aws-sdk-settings';

export const eventBridgeClient = (): EventBridgeClient => new EventBridgeClient({ maxAttempts: 3, requestHandler, credentials });
