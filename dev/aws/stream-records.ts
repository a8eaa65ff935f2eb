/**
 * DynamoDB stream records as Lambda delivers them (NEW_AND_OLD_IMAGES), from an item's images
 * before and after a write: dynalite has no streams, so the local stack and the tests make them.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-account';

export type Image = Record<string, AttributeValue>;

const sequence = { next: 100_000_000_000_000_000_000n };

/** A sequence number greater than every one before it, as a shard's are. */
export const nextSequenceNumber = (): string => String((sequence.next += 1n));

export interface StreamChange {
  tableName: string;
  /** Undefined: the item is new (INSERT). */
  before: Image | undefined;
  /** Undefined: the item was deleted (REMOVE). */
  after: Image | undefined;
  sequenceNumber?: string;
  /** Epoch seconds. */
  at?: number;
}

const keyOf = (image: Image): Image => ({ pk: image.pk!, sk: image.sk! });

export function streamRecord({ tableName, before, after, sequenceNumber = nextSequenceNumber(), at = Math.floor(Date.now() / 1000) }: StreamChange): DynamoDBRecord {
  const image = (after ?? before)!;
  return {
    eventID: `${sequenceNumber}-event`,
    eventName: !before ? 'INSERT' : after ? 'MODIFY' : 'REMOVE',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    eventSourceARN: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:table/${tableName}/stream/2026-01-01T00:00:00.000`,
    // The stream's AttributeValue and the SDK's are the same JSON; only their TypeScript types differ.
    dynamodb: {
      ApproximateCreationDateTime: at,
      Keys: keyOf(image) as never,
      ...(after ? { NewImage: after as never } : {}),
      ...(before ? { OldImage: before as never } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: JSON.stringify([before, after]).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
