// The function behind GET /hello: a Lambda proxy response, as API Gateway expects one.
export const lambdaHandler = async (event) => {
  const who = event.queryStringParameters?.name ?? 'world';
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' },
    body: JSON.stringify({
      message: `${process.env.GREETING} ${who}`,
      stage: event.requestContext.stage,
      label: process.env.STAGE_LABEL,
    }),
  };
};
