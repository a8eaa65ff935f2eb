/** Bundle-size floor of the create and lifecycle functions: the notify function's, and the query that reads an object's record. */
export * from './aws-clients';
export { QueryCommand } from '@aws-sdk/lib-dynamodb';
