// pgwire_bench's JDBC client: fetches every row of a query through pgjdbc
// (fetch size 10000, so rows stream in portal batches) and prints the
// seconds it took. Usage: java -cp postgresql.jar PgwireFetch.java PORT PASSWORD SQL
import java.sql.*;
import java.util.Properties;

public class PgwireFetch {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "analyst");
    p.setProperty("password", args[1]);
    p.setProperty("sslmode", "disable");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + args[0] + "/bench", p)) {
      c.setAutoCommit(false);
      long start = System.nanoTime();
      long rows = 0;
      try (Statement s = c.createStatement()) {
        s.setFetchSize(10000);
        try (ResultSet rs = s.executeQuery(args[2])) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= n; i++) rs.getObject(i);
            rows++;
          }
        }
      }
      System.out.println((System.nanoTime() - start) / 1e9);
      System.err.println(rows + " rows");
    }
  }
}
