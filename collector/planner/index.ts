/** Request planning: fewest reads for a profile's register map. */
export { planRequests, planProfile, profileRanges, type RegisterRange, type PlanOptions } from './plan.ts';
