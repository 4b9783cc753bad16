/** The mail bucket's S3 client, one per container: path-style when an endpoint is configured (the local S3 emulator on loopback). */
import { S3Client } from '@aws-sdk/client-s3';

let s3: S3Client | undefined;

export function s3Client(): S3Client {
  return (s3 ??= new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }));
}
