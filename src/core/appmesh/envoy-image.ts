// AWS's App Mesh Envoy image for a region: the latest v1.29 -prod release
// (v1.29.12.1, March 2025), from the account that serves that region.
export const ENVOY_VERSION_TAG = 'v1.29.12.1-prod';

const REGION_ACCOUNTS: Record<string, string> = {
  'me-south-1': '772975370895',
  'ap-east-1': '856666278305',
  'ap-southeast-3': '909464085924',
  'af-south-1': '924023996002',
  'eu-south-1': '422531588944',
  'eu-south-2': '992897592190',
  'eu-central-2': '704106688930',
  'il-central-1': '564877687649',
  'cn-north-1': '919366029133',
  'cn-northwest-1': '919830735681',
};

/** `tag`: meshctl.yaml sidecars.envoy.tag, for a release newer (or older) than the default. */
export function envoyImage(region: string, tag = ENVOY_VERSION_TAG): string {
  const account = REGION_ACCOUNTS[region] ?? '840364872350';
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${domain}/aws-appmesh-envoy:${tag}`;
}

export const XRAY_DAEMON_IMAGE = 'public.ecr.aws/xray/aws-xray-daemon:3.x';
