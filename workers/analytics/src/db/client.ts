// The Worker's drizzle client is the kit's; services import it from here, beside the schema it queries.
export { type Db, dbOf } from '@onasis/http';
