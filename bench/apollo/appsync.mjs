// AppSync's built-in directives and scalars, declared so graphql-js accepts an AppSync SDL file
// unchanged (AppSync defines them implicitly; Syncline's schema/ does the same).
import { readFileSync } from "node:fs";

const DECLARATIONS = `
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
`;

/** The SDL file at `url` (relative to this folder) with AppSync's declarations prepended. */
export function appsyncTypeDefs(url) {
  return DECLARATIONS + readFileSync(new URL(url, import.meta.url), "utf8");
}
