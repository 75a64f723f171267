/**
 * Why the SDK found no credentials. Its provider chain tries every source in turn and, when all fail,
 * reports only "Could not load credentials from any providers": an unknown AWS_PROFILE, an SSO profile
 * that is not logged in, a failing credential_process and a key id without its secret all read the same.
 * This reads the same environment and shared files the chain reads, in the chain's order, and names the
 * first source that is configured but broken, with its fix. It never prints a key or a command line.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** A broken credential source: what is wrong and how to fix it. */
export interface CredentialDiagnosis {
  message: string;
  hint: string;
  /** The web identity token file that does not exist, when that is the problem (the SDK fails with ENOENT on it). */
  missingTokenFile?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;
type IniSections = Map<string, Map<string, string>>;

/** The first credential source the environment configures that cannot work, or undefined when none is. */
export function diagnoseCredentials(env: Environment = process.env): CredentialDiagnosis | undefined {
  const explicitProfile = env.AWS_PROFILE;
  // The SDK reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY first, unless AWS_PROFILE is set.
  if (!explicitProfile) {
    const halfPair = halfKeyPair(
      { keyId: env.AWS_ACCESS_KEY_ID, secret: env.AWS_SECRET_ACCESS_KEY },
      { keyId: "AWS_ACCESS_KEY_ID", secret: "AWS_SECRET_ACCESS_KEY" },
      "the environment",
      (missing, present) =>
        `set ${missing} too (and AWS_SESSION_TOKEN for temporary keys), or unset ${present} to use a profile or role`,
    );
    if (halfPair) return halfPair;
  }

  const home = env.HOME ?? homedir();
  const configFile = env.AWS_CONFIG_FILE ?? join(home, ".aws", "config");
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials");
  const config = readIni(configFile);
  const credentials = readIni(credentialsFile);
  const profileName = explicitProfile ?? "default";
  const fromConfig = config.get(profileName === "default" ? "default" : `profile ${profileName}`);
  const fromCredentials = credentials.get(profileName);

  if (explicitProfile && !fromConfig && !fromCredentials) {
    const known = [...profileNames(config, credentials)];
    return {
      message: `AWS profile "${profileName}" (AWS_PROFILE) is not in ${configFile} or ${credentialsFile}`,
      hint:
        known.length > 0
          ? `set AWS_PROFILE to one of the profiles there (${known.join(", ")}), or create it with: aws configure --profile ${profileName}`
          : `neither file has a profile: create it with: aws configure --profile ${profileName} (or aws configure sso)`,
    };
  }

  const profile = new Map([...(fromConfig ?? []), ...(fromCredentials ?? [])]);
  const where = `AWS profile "${profileName}"`;
  const halfPair = halfKeyPair(
    { keyId: profile.get("aws_access_key_id"), secret: profile.get("aws_secret_access_key") },
    { keyId: "aws_access_key_id", secret: "aws_secret_access_key" },
    where,
    (missing) => `add ${missing} to the profile, or run: aws configure --profile ${profileName}`,
  );
  if (halfPair) return halfPair;
  if (profile.has("sso_session") || profile.has("sso_start_url")) {
    return {
      message: `${where} signs in through IAM Identity Center (SSO) and has no valid session: it was never logged in, or the session expired`,
      hint: `run: aws sso login --profile ${profileName}`,
    };
  }
  if (profile.has("credential_process") && !profile.has("aws_access_key_id")) {
    return {
      message: `${where} gets its credentials from credential_process, and that command failed`,
      hint: `run the profile's credential_process (in ${configFile}) yourself to see why: it must exit 0 and print JSON with Version 1, AccessKeyId and SecretAccessKey`,
    };
  }
  const profileTokenFile = profile.get("web_identity_token_file");
  if (profileTokenFile && !existsSync(profileTokenFile)) {
    return {
      message: `the web identity token file of ${where} does not exist: ${profileTokenFile}`,
      hint: "write the identity provider's token there before running (in CI, the OIDC token), or point web_identity_token_file at it",
      missingTokenFile: profileTokenFile,
    };
  }

  const envTokenFile = env.AWS_WEB_IDENTITY_TOKEN_FILE;
  if (envTokenFile && !existsSync(envTokenFile)) {
    return {
      message: `AWS_WEB_IDENTITY_TOKEN_FILE names a file that does not exist: ${envTokenFile}`,
      hint: "on EKS it is mounted by IRSA or EKS Pod Identity (check the service account's role annotation, then restart the pod); in CI, write the OIDC token there first",
      missingTokenFile: envTokenFile,
    };
  }
  if (envTokenFile && !env.AWS_ROLE_ARN) {
    return {
      message:
        "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: there is no role to assume with the token",
      hint: "set AWS_ROLE_ARN to the ARN of the role the token may assume",
    };
  }
  return undefined;
}

/** A key id without its secret, or a secret without its key id. */
function halfKeyPair(
  pair: { keyId: string | undefined; secret: string | undefined },
  names: { keyId: string; secret: string },
  where: string,
  fix: (missing: string, present: string) => string,
): CredentialDiagnosis | undefined {
  const hasKeyId = Boolean(pair.keyId);
  const hasSecret = Boolean(pair.secret);
  if (hasKeyId === hasSecret) return undefined;
  const [present, missing] = hasKeyId ? [names.keyId, names.secret] : [names.secret, names.keyId];
  return {
    message: `${where} sets ${present} but not ${missing}: an access key needs both`,
    hint: fix(missing, present),
  };
}

function profileNames(config: IniSections, credentials: IniSections): Set<string> {
  const names = new Set<string>();
  for (const section of config.keys()) {
    if (section === "default") names.add(section);
    else if (section.startsWith("profile ")) names.add(section.slice("profile ".length).trim());
  }
  for (const section of credentials.keys()) names.add(section);
  return names;
}

/**
 * The sections of an AWS shared config file: `[name]` headers, `key = value` lines, `#` and `;`
 * comments. Indented lines continue a nested setting (`s3 =` and its sub-keys) and are skipped.
 * A file that is missing or unreadable has no sections.
 */
function readIni(file: string): IniSections {
  const sections: IniSections = new Map();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return sections;
  }
  let current: Map<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header?.[1]) {
      const name = header[1].trim().replace(/\s+/g, " ");
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    if (/^\s/.test(rawLine)) continue;
    const equals = line.indexOf("=");
    if (current && equals > 0)
      current.set(line.slice(0, equals).trim().toLowerCase(), line.slice(equals + 1).trim());
  }
  return sections;
}
