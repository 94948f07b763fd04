/**
 * Hours in a month for every monthly figure: 730 (8,760 hours a year / 12),
 * the month Infracost prices with (infracost/infracost `internal/schema`,
 * HourToMonthUnitMultiplier) and the one GCP's pricing pages use.
 */
export const HOURS_PER_MONTH = 730;
