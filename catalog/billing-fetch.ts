import { GoogleAuth } from "google-auth-library";
import type { FetchSkuPage } from "./billing-catalog";
import { UserInputError } from "./errors";

/** The environment variable an API key for the Cloud Billing Catalog API is read from (the API accepts `key=`; catalog-api how-to). */
export const API_KEY_ENV = "BREAKEVEN_BILLING_API_KEY";

/** Read-only scope of the Cloud Billing API (services.skus.list's documented scopes). */
const BILLING_SCOPE = "https://www.googleapis.com/auth/cloud-billing.readonly";

/** The largest page body read: a page of 5000 SKUs is a few MB. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;

async function readJson(res: Response, url: string): Promise<unknown> {
  const text = await res.text();
  const where = url.replace(/key=[^&]+/, "key=***");
  if (!res.ok)
    throw new UserInputError(
      "Cloud Billing Catalog API",
      "",
      `${res.status} ${res.statusText} for ${where}: ${text.slice(0, 200)}`,
    );
  if (text.length > MAX_PAGE_BYTES)
    throw new UserInputError(
      "Cloud Billing Catalog API",
      "",
      `a page of ${text.length} bytes is more than ${MAX_PAGE_BYTES}`,
    );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UserInputError("Cloud Billing Catalog API", "", `the response for ${where} is not JSON`);
  }
}

/**
 * A page fetcher for the live API: with an API key (env `BREAKEVEN_BILLING_API_KEY`)
 * the key goes in the query string (`listSkus` adds it); without one,
 * application-default credentials through google-auth-library (`gcloud auth
 * application-default login`) sign each request.
 */
export function liveFetcher(env: NodeJS.ProcessEnv = process.env): {
  fetchPage: FetchSkuPage;
  apiKey?: string | undefined;
  auth: string;
} {
  const apiKey = env[API_KEY_ENV];
  if (apiKey)
    return { fetchPage: async (url) => readJson(await fetch(url), url), apiKey, auth: `API key from ${API_KEY_ENV}` };
  const auth = new GoogleAuth({ scopes: [BILLING_SCOPE] });
  const fetchPage: FetchSkuPage = async (url) => {
    let headers: Headers;
    try {
      headers = await auth.getRequestHeaders(url);
    } catch (err) {
      throw new UserInputError(
        "command line",
        "",
        `no credentials for the Cloud Billing Catalog API: set ${API_KEY_ENV} to an API key, or run \`gcloud auth application-default login\` (${(err as Error).message.split("\n")[0]})`,
      );
    }
    return readJson(await fetch(url, { headers }), url);
  };
  return { fetchPage, auth: "application-default credentials" };
}
