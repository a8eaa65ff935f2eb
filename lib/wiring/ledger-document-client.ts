/** Its own module so that a bundle without the ledger (the certificate refresher's) carries no DynamoDB client. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { credentials, requestHandler } from './aws-sdk-settings';

export const ledgerDocumentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3, requestHandler, credentials }), { marshallOptions: { removeUndefinedValues: true } });
