// pgjdbc (Debian libpostgresql-jdbc-java, Java 17) against carelake's pgwire
// server: DatabaseMetaData (getSchemas, getTables, getColumns,
// getPrimaryKeys, getTypeInfo), and the all-types query run 8 times through
// one PreparedStatement, so that from the 5th execution on pgjdbc uses a
// named server-side statement and binary transfer. Prints "ok" or throws.
// Usage: java -cp /usr/share/java/postgresql.jar JdbcCheck.java PORT PASSWORD QUERY
import java.math.BigDecimal;
import java.sql.*;
import java.time.*;
import java.util.*;

public class JdbcCheck {
  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", "ana");
    props.setProperty("password", args[1]);
    props.setProperty("sslmode", "disable");
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/clinic";
    try (Connection conn = DriverManager.getConnection(url, props)) {
      DatabaseMetaData meta = conn.getMetaData();
      Set<String> schemas = new HashSet<>();
      try (ResultSet rs = meta.getSchemas()) {
        while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM"));
      }
      check(schemas.containsAll(List.of("bronze", "silver", "gold")), "schemas " + schemas);
      Set<String> tables = new HashSet<>();
      try (ResultSet rs = meta.getTables(null, "gold", "%", new String[] {"TABLE"})) {
        while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
      }
      check(tables.contains("all_types"), "tables " + tables);
      Map<String, String> columnTypes = new HashMap<>();
      Map<String, Integer> sqlTypes = new HashMap<>();
      try (ResultSet rs = meta.getColumns(null, "gold", "all_types", "%")) {
        while (rs.next()) {
          columnTypes.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME"));
          sqlTypes.put(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"));
        }
      }
      check("int8".equals(columnTypes.get("big")), "big is " + columnTypes.get("big"));
      check("numeric".equals(columnTypes.get("money")), "money is " + columnTypes.get("money"));
      check(sqlTypes.get("d") == Types.DATE, "d is " + sqlTypes.get("d"));
      List<String> keys = new ArrayList<>();
      try (ResultSet rs = meta.getPrimaryKeys(null, "gold", "all_types")) {
        while (rs.next()) keys.add(rs.getString("COLUMN_NAME"));
      }
      check(keys.equals(List.of("id")), "primary key " + keys);
      int typeInfo = 0;
      try (ResultSet rs = meta.getTypeInfo()) {
        while (rs.next()) typeInfo++;
      }
      check(typeInfo > 10, "getTypeInfo rows " + typeInfo);

      try (PreparedStatement ps = conn.prepareStatement(args[2])) {
        for (int run = 1; run <= 8; run++) {
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next(), "row 1");
            check(rs.getInt("id") == 1, "id");
            check(rs.getBoolean("flag"), "flag");
            check(rs.getShort("small") == 7, "small");
            check(rs.getLong("big") == 9007199254740993L, "big " + rs.getLong("big"));
            check(rs.getFloat("real4") == 1.5f, "real4");
            check(rs.getDouble("dbl") == 0.1, "dbl " + rs.getDouble("dbl"));
            check(rs.getBigDecimal("money").equals(new BigDecimal("1234.56")), "money " + rs.getBigDecimal("money"));
            check(rs.getString("txt").equals("héllo, \"world\""), "txt " + rs.getString("txt"));
            check(Arrays.equals(rs.getBytes("bin"), new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}), "bin");
            check(rs.getObject("d", LocalDate.class).equals(LocalDate.of(2024, 2, 29)), "d " + rs.getObject("d"));
            check(rs.getObject("tstz", OffsetDateTime.class).toInstant().equals(Instant.parse("2024-02-29T13:45:07Z")), "tstz " + rs.getObject("tstz"));
            check(rs.getObject("ts", OffsetDateTime.class).toInstant().equals(Instant.parse("2024-02-29T13:45:07.123456Z")), "ts " + rs.getObject("ts"));
            Integer[] ints = (Integer[]) rs.getArray("ints").getArray();
            check(Arrays.equals(ints, new Integer[] {1, 2, null}), "ints " + Arrays.toString(ints));
            String[] texts = (String[]) rs.getArray("texts").getArray();
            check(Arrays.equals(texts, new String[] {"x", "y z"}), "texts " + Arrays.toString(texts));
            check(rs.getObject("t", LocalTime.class).equals(LocalTime.of(13, 45, 7, 250_000_000)), "t " + rs.getObject("t"));
            check(rs.getString("iv").equals("1 year 2 mons 3 days 04:05:06"), "iv " + rs.getString("iv"));
            check(rs.getObject("uid").equals(UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8")), "uid " + rs.getObject("uid"));
            check(rs.getString("doc").equals("{\"a\": [1, 2]}"), "doc " + rs.getString("doc"));
            check(rs.next(), "row 2");
            check(rs.getInt("id") == 2, "id 2");
            for (String c : List.of("flag", "small", "big", "money", "txt", "bin", "d", "tstz", "ints", "t", "iv", "uid", "doc")) {
              check(rs.getObject(c) == null, c + " is not NULL in row 2");
            }
            check(!rs.next(), "two rows");
          }
        }
      }
      try (PreparedStatement ps = conn.prepareStatement("SELECT id FROM gold.all_types WHERE big = ? AND txt = ?")) {
        for (int run = 1; run <= 6; run++) {
          ps.setLong(1, 9007199254740993L);
          ps.setString(2, "héllo, \"world\"");
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next() && rs.getInt(1) == 1 && !rs.next(), "parameterized run " + run);
          }
        }
      }
    }
    System.out.println("ok");
  }
}
