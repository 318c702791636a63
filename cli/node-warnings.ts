// The AWS SDK warns on every run that its releases after January 2027 will need Node 22; this
// project supports Node 20, so that one warning is noise here (the SDK's own switch turns it
// off). Every other warning still prints.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
