// GET and PUT /items/{id}: items kept in the function's memory (one warm instance keeps them).
const items = new Map();

exports.handler = async (event) => {
  const id = event.pathParameters.id;
  if (event.httpMethod === 'PUT') {
    items.set(id, JSON.parse(event.body ?? 'null'));
    return { statusCode: 204, body: '' };
  }
  if (!items.has(id)) {
    return {
      statusCode: 404,
      body: JSON.stringify({ message: `no item ${id}`, note: process.env.REGION_NOTE }),
    };
  }
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(items.get(id)),
  };
};
