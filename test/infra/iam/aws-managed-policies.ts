/**
 * The AWS managed policies the stack attaches, held here because nothing offline can fetch them.
 * Copied from the AWS Managed Policy Reference
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html); the version noted
 * is the default version when copied. If AWS edits one, update the document and its version here.
 */
/** An IAM policy document, as the template and AWS write them. */
export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[];
}

export const AWS_MANAGED_POLICIES: Record<string, PolicyDocument> = {
  // v1 (default).
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
  // v5 (default), edited September 11, 2023.
  'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'glue:*',
          's3:GetBucketLocation',
          's3:ListBucket',
          's3:ListAllMyBuckets',
          's3:GetBucketAcl',
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeRouteTables',
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcAttribute',
          'iam:ListRolePolicies',
          'iam:GetRole',
          'iam:GetRolePolicy',
          'cloudwatch:PutMetricData',
        ],
        Resource: ['*'],
      },
      { Effect: 'Allow', Action: ['s3:CreateBucket'], Resource: ['arn:aws:s3:::aws-glue-*'] },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: ['arn:aws:s3:::aws-glue-*/*', 'arn:aws:s3:::*/*aws-glue-*/*'],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::crawler-public*', 'arn:aws:s3:::aws-glue-*'],
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: ['arn:aws:logs:*:*:*:/aws-glue/*'],
      },
      {
        Effect: 'Allow',
        Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
        Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['aws-glue-service-resource'] } },
        Resource: [
          'arn:aws:ec2:*:*:network-interface/*',
          'arn:aws:ec2:*:*:security-group/*',
          'arn:aws:ec2:*:*:instance/*',
        ],
      },
    ],
  },
};
