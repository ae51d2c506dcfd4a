import { Link } from 'react-router'

export function NotFoundPage() {
  return (
    <div className="py-16 text-center">
      <p className="text-lg font-semibold">Page not found</p>
      <Link to="/" className="mt-2 inline-block text-sm text-sky-600 hover:underline">
        Back to the dashboard
      </Link>
    </div>
  )
}
