/** PromQL annotations drawn on every dashboard (and usable as markers by native panels). */
export const catalogAnnotations = [
  {
    id: 'config-changes',
    name: 'Config changes',
    expr: 'sum by (service, key) (increase(config_changes_total[30s])) > 0',
    title: 'config change',
    text: '{{service}} {{key}}',
    color: 'orange',
  },
] as const;
