/** The site config: schema and loading with located errors. */
export { siteSchema, type SiteConfig, type TerminalConfig } from './site.ts';
export { parseSiteConfig, loadSiteConfig, ConfigError, type ConfigProblem } from './load.ts';
