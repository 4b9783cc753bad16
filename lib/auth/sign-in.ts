/**
 * Sign-in for people (issue [10]): one Cognito user pool for staff and customers' users, the
 * groups that are their roles, the hosted sign-in pages and the browser console's app client.
 * The API verifies the ID tokens of that client itself (functions/api/auth.ts), the same code
 * path as with the local OpenID Connect provider; this construct only hands it the issuer and
 * the audience. docs/deploy.md walks the first admin and inviting people.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  CfnUserPoolUser,
  CfnUserPoolUserToGroupAttachment,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLES, type Role } from '../../core/access/principal';
import { LIMITS } from '../../core/limits';
import type { TierdeskFunction } from '../functions';

/** The custom attributes an admin sets on a person: the customer a customer's user acts for, the partner a partner agent works for. */
export const IDENTITY_ATTRIBUTES = { customer: 'customer', partner: 'partner' } as const;

/**
 * Strong enough for AwsSolutions-COG1 and beyond its minimum of 8: 12 characters of four kinds.
 * (Password history needs the Essentials plan; see featurePlan below.)
 */
export const PASSWORD_POLICY = { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(7) } as const;

/** ID and access tokens live an hour (the API accepts an ID token until it expires); the console refreshes for up to 30 days. */
export const TOKEN_VALIDITY = { idToken: Duration.hours(1), accessToken: Duration.hours(1), refreshToken: Duration.days(30) } as const;

export interface SignInProps {
  /** The console's address: where the hosted pages send a signed-in or signed-out browser back to (the stack's distribution by default, a token). */
  consoleUrl: string;
  /** The hosted sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`); derived from the stack name and account when absent. */
  domainPrefix?: string;
  /** "optional" (default): each person may add an authenticator app; "required": everyone must. */
  mfa: 'optional' | 'required';
  /** The first admin: invited by Cognito (temporary password by email) and put in the admin group. */
  adminEmail?: string;
}

export class SignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** The OpenID Connect issuer of the pool's tokens (the `iss` claim; discovery and JWKS below it). */
  readonly issuer: string;
  /**
   * `https://<prefix>.auth.<region>.amazoncognito.com`: the hosted pages and token endpoint. Built
   * from the prefix, not the domain resource, so the console's CSP can name it without depending
   * on the pool (whose invitation names the console: CloudFormation would refuse the cycle).
   */
  readonly hostedSignInOrigin: string;
  readonly groups: Record<Role, CfnUserPoolGroup>;

  constructor(scope: Construct, id: string, props: SignInProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.userPool = new UserPool(this, 'UserPool', {
      // Staff and customers' users alike are invited by an admin: nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true }, // the email is the sign-in name (Cognito's username is the sub)
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      customAttributes: {
        // Mutable so an admin can correct a person's customer or partner (admin-update-user-attributes);
        // the app client cannot write them (writeAttributes below), so they are identity, not the person's choice.
        [IDENTITY_ATTRIBUTES.customer]: new StringAttribute({ minLen: 1, maxLen: LIMITS.id, mutable: true }),
        [IDENTITY_ATTRIBUTES.partner]: new StringAttribute({ minLen: 1, maxLen: LIMITS.id, mutable: true }),
      },
      passwordPolicy: PASSWORD_POLICY,
      // TOTP only: SMS costs per message and needs an SNS role; email codes need the Essentials plan and SES.
      mfa: props.mfa === 'required' ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // CHOSEN: Lite. Lite and Essentials are both free for the first 10,000 monthly active users
      // and Lite costs least beyond; it has all this pool uses (classic hosted UI, code + PKCE,
      // TOTP). Threat protection needs Plus, which bills every active user from the first.
      featurePlan: FeaturePlan.LITE,
      userInvitation: {
        emailSubject: 'Your tierdesk sign-in',
        emailBody: `You have been invited to the support desk. Sign in at ${props.consoleUrl} with your email address {username} and the temporary password {####} (valid for 7 days); you will choose your own password.`,
      },
      // People and their roles are the vendor's and customers' data: kept when the stack is removed, as the table is.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;

    this.groups = Object.fromEntries(
      ROLES.map((role) => {
        const group = new CfnUserPoolGroup(this, `Group-${role}`, { userPoolId: this.userPool.userPoolId, groupName: role, description: GROUP_DESCRIPTIONS[role], precedence: ROLES.indexOf(role) });
        group.applyRemovalPolicy(RemovalPolicy.RETAIN);
        return [role, group];
      }),
    ) as Record<Role, CfnUserPoolGroup>;

    // The prefix must be unique in the region: the stack's name and the account make it so.
    const prefix = props.domainPrefix ?? `${derivedPrefix(stack.stackName)}-${Aws.ACCOUNT_ID}`;
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: prefix } });
    this.hostedSignInOrigin = `https://${prefix}.auth.${stack.region}.amazoncognito.com`;

    this.client = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'tierdesk-console',
      generateSecret: false, // a browser app keeps no secret: PKCE protects its code exchange
      authFlows: { userSrp: false }, // only the hosted pages sign in (with MFA); the client may only refresh
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [props.consoleUrl],
        logoutUrls: [props.consoleUrl],
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: TOKEN_VALIDITY.idToken,
      accessTokenValidity: TOKEN_VALIDITY.accessToken,
      refreshTokenValidity: TOKEN_VALIDITY.refreshToken,
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(IDENTITY_ATTRIBUTES.customer, IDENTITY_ATTRIBUTES.partner),
      // A person may change their display name; never their email (the staff directory's key) nor their customer or partner.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    if (props.adminEmail) this.inviteFirstAdmin(props.adminEmail);

    if (props.mfa !== 'required') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          "CHOSEN: MFA optional (TOTP). The pool holds customers' users, who file a ticket now and then and would be turned away by a required authenticator app; Cognito cannot require MFA per group (staff only), and an ID token carries no claim saying MFA was used. A pool of staff only can set signInMfa=required (docs/deploy.md).",
      });
    }
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'CHOSEN: the Lite feature plan. Threat protection needs the Plus plan, billed for every monthly active user from the first, where Lite is free for the first 10,000; invitation-only accounts, a 12-character four-kind password policy and optional TOTP are the protection at no cost.',
    });

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: "Cognito user pool of the people who sign in (staff and customers' users)" });
    new CfnOutput(this, 'ClientId', { value: this.client.userPoolClientId, description: "The console's app client: the audience of the ID tokens the API accepts" });
    new CfnOutput(this, 'Issuer', { value: this.issuer, description: 'OpenID Connect issuer (discovery at <issuer>/.well-known/openid-configuration)' });
    new CfnOutput(this, 'HostedSignInUrl', {
      value: `${this.domain.baseUrl()}/login?client_id=${this.client.userPoolClientId}&response_type=code&scope=openid+email+profile&redirect_uri=${Token.isUnresolved(props.consoleUrl) ? props.consoleUrl : encodeURIComponent(props.consoleUrl)}`, // https://<distribution>/console/ needs no encoding in a query
      description: 'The hosted sign-in page (the console starts its own sign-in with PKCE; this link is for a first sign-in and password change)',
    });
    if (!props.adminEmail) {
      new CfnOutput(this, 'CreateAdminCommand', {
        value: createAdminCommand(stack.region, this.userPool.userPoolId),
        description: 'Invite an admin (set EMAIL first): Cognito mails a temporary password; or deploy with -c adminEmail=...',
      });
    }
  }

  /** The API function checks the console's ID tokens against this pool (functions/api/auth.ts). */
  connectApi(handler: TierdeskFunction): void {
    handler.addEnvironment('TIERDESK_OIDC_ISSUER', this.issuer);
    handler.addEnvironment('TIERDESK_OIDC_AUDIENCE', this.client.userPoolClientId);
  }

  /**
   * The first admin, from `-c adminEmail=…`. Retained, so a later deploy without the setting
   * leaves the admin (and their group membership) where they are instead of deleting them.
   */
  private inviteFirstAdmin(email: string): void {
    const user = new CfnUserPoolUser(this, 'FirstAdmin', {
      userPoolId: this.userPool.userPoolId,
      username: email,
      userAttributes: [
        { name: 'email', value: email },
        { name: 'email_verified', value: 'true' },
      ],
      desiredDeliveryMediums: ['EMAIL'],
    });
    user.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const membership = new CfnUserPoolUserToGroupAttachment(this, 'FirstAdminInAdminGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: this.groups.admin.groupName!,
      username: email,
    });
    membership.addResourceDependency(user);
    membership.addResourceDependency(this.groups.admin);
    membership.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new CfnOutput(this, 'FirstAdminEmail', { value: email, description: 'Invited as admin: Cognito mailed a temporary password (valid 7 days)' });
  }
}

const GROUP_DESCRIPTIONS: Record<Role, string> = {
  admin: 'tierdesk admins: everything, including API keys, the staff directory and customers',
  agent: "The vendor's agents: every ticket, worked in the tiers the vendor operates",
  'partner-agent': "A partner organisation's agents (custom:partner names it): its customers' tickets in partner-operated tiers",
  customer: "A customer's users (custom:customer names the customer): their own customer's tickets",
};

/** The stack name as a domain prefix part: lower case, letters, digits and "-", at most 50 characters (the account id follows). */
export function derivedPrefix(stackName: string): string {
  const cleaned = stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/(aws|amazon|cognito)/g, 'x')
    .slice(0, 50)
    .replace(/^-+|-+$/g, '');
  return cleaned || 'tierdesk';
}

/** One shell line an operator runs with EMAIL set: creates the user (Cognito mails the invitation) and makes them an admin. */
export function createAdminCommand(region: string, userPoolId: string): string {
  const common = `--region ${region} --user-pool-id ${userPoolId} --username "$EMAIL"`;
  return (
    `EMAIL=ops@example.com; aws cognito-idp admin-create-user ${common} --user-attributes Name=email,Value="$EMAIL" Name=email_verified,Value=true --desired-delivery-mediums EMAIL` +
    ` && aws cognito-idp admin-add-user-to-group ${common} --group-name admin`
  );
}
